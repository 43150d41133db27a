"""The cybercrime notebooks' worked examples hold what their text says: each figure is recomputed here."""

import ast
import hashlib
import json
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "source" / "cybercrime"


def cell_source(notebook: str, cell_id: str) -> str:
    """The source text of one cell of a cybercrime source notebook, found by its cell id."""
    cells = json.loads((SOURCE / notebook).read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if c.get("id") == cell_id]
    return "".join(cell["source"])


def assigned_literal(code: str, name: str):
    """The literal value assigned to ``name`` at the top level of a code cell."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(name)


def _organisational_domain(domain: str) -> str:
    # Every domain in the course is under example.com/.net/.org, whose organisational domain (RFC 7489 §3.2) is
    # the last two labels; a public-suffix list would be needed for real domains such as example.co.uk.
    return ".".join(domain.lower().split(".")[-2:])


def test_phishing_worked_example_dmarc_result_follows_from_spf_and_dkim_alignment():
    example = assigned_literal(cell_source("02_phishing_headers.ipynb", "ex2-worked-example"), "EXAMPLE")
    header = " ".join(
        re.search(r"^Authentication-Results:(.*?)\n(?=\S)", example, re.MULTILINE | re.DOTALL)[1].split()
    )
    results = dict(re.findall(r"\b(spf|dkim|dmarc)=(\w+)", header))
    identities = dict(re.findall(r"\b(smtp\.mailfrom|header\.d|header\.from)=([\w.-]+)", header))
    from_domain = _organisational_domain(identities["header.from"])
    spf_aligned = (
        results["spf"] == "pass" and _organisational_domain(identities["smtp.mailfrom"]) == from_domain
    )
    dkim_aligned = results["dkim"] == "pass" and _organisational_domain(identities["header.d"]) == from_domain
    # RFC 7489 §4.2: DMARC passes exactly when SPF or DKIM passes for an aligned domain.
    assert results["dmarc"] == ("pass" if spf_aligned or dkim_aligned else "fail"), header
    text = cell_source("02_phishing_headers.ipynb", "ex2-task-auth")
    assert "SPF `pass`, but for\n`bounces.example.org`" in text and "bounces.example.org" in example


# --- Bitcoin addresses: where each one comes from -------------------------------------------------------------
# Test vectors published in BIP-173 and BIP-350 (section "Test vectors"), copied from the BIP texts.
BIP_VECTORS = {
    # BIP-173 and BIP-350 valid segwit addresses
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # the same, lower case (BIP-173 uses it in its examples)
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    # BIP-173 invalid
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
    "bc1rw5uspcuh",
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    "bc1gmk9yu",
    # BIP-350 invalid
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
}
EIP55_EXAMPLE = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55's "all caps" example
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _dummy(k: int, size: int) -> bytes:
    return hashlib.sha256(f"SPMU course dummy {k}".encode()).digest()[:size]


def _base58check(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    number, text = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58[digit] + text
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + text


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum


def _segwit(version: int, program: bytes) -> str:
    """BIP-173/350 encoding of a main-network witness program (encoder written from the BIP texts)."""
    accumulator, bits, data = 0, 0, [version]
    for byte in program:
        accumulator, bits = accumulator << 8 | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append(accumulator >> bits & 31)
    if bits:
        data.append(accumulator << (5 - bits) & 31)
    expanded = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    check = _polymod(expanded + data + [0] * 6) ^ (1 if version == 0 else 0x2BC830A3)
    return "bc1" + "".join(BECH32[d] for d in data + [(check >> 5 * (5 - i)) & 31 for i in range(6)])


COURSE_DUMMIES = {
    "16yp9Qs9jWavpWYUpvaxZRq2Rpra7B2MoH": _base58check(0x00, _dummy(1, 20)),
    "33au39CwCvUkvgVJ5CwoeS1GWSNNusmGQQ": _base58check(0x05, _dummy(2, 20)),
    "n31nMt2zJzzPjGAcNmuamMdMJ1ZhgiR9ZT": _base58check(0x6F, _dummy(3, 20)),
    "bc1qfl0x9lywnkl8qm4ksuwjzrk4znyuyahm55kznr": _segwit(0, _dummy(4, 20)),
    "bc1qarfaews8fslu8385qvggyhrvrcvpf9p722s96z6yhk5r5v2h9krsedw828": _segwit(0, _dummy(5, 32)),
    "bc1pmwgfut3z3cwsu8f9hp56c9hd6np94m6y2q0yu6wkrd7jdyp6z07sy7hmuf": _segwit(1, _dummy(6, 32)),
    "bc1ql7v7rk5qmwfssyme3r702y5e9ywvyek6": _segwit(0, _dummy(7, 16)),
}
# Invalid variants the course made from its dummies, each named for its change.
COURSE_VARIANTS = {
    "16yp9Qs9jWavpWYUpvaxZRq2Rpra7B2MoJ": "16yp9Qs9jWavpWYUpvaxZRq2Rpra7B2MoH"[:-1]
    + "J",  # last character mistyped
    "06yp9Qs9jWavpWYUpvaxZRq2Rpra7B2MoH": "0" + "16yp9Qs9jWavpWYUpvaxZRq2Rpra7B2MoH"[1:],  # 0 is not Base58
    "bc1qfl0x9lywnkl8qm4ksuwjzrk4znyuyahm55kzNR": "bc1qfl0x9lywnkl8qm4ksuwjzrk4znyuyahm55kznr"[:-2] + "NR",
}
ADDRESS_CELLS = [
    "ex6-worked-example-base58",
    "ex6-worked-example-btc",
    "test_btc_address_type_visible",
    "test_btc_address_type_hidden",
]


def test_course_dummy_addresses_derive_from_their_documented_recipe():
    for written, derived in COURSE_DUMMIES.items():
        assert written == derived, f"{written} is not what the recipe gives ({derived})"
    for written, derived in COURSE_VARIANTS.items():
        assert written == derived


def test_every_address_in_the_bitcoin_cells_is_a_bip_vector_or_a_course_dummy():
    known = BIP_VECTORS | set(COURSE_DUMMIES) | set(COURSE_VARIANTS) | {EIP55_EXAMPLE, ""}
    seen = set()
    for cell_id in ADDRESS_CELLS:
        for node in ast.walk(ast.parse(cell_source("04_timeline_and_indicators.ipynb", cell_id))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if re.fullmatch(
                    r"(?i)(bc|tb|tc)1\w{6,}|[13mn06][1-9A-HJ-NP-Za-km-z]{25,34}|0x[0-9a-f]{40}", text
                ):
                    seen.add(text)
                    assert text in known, (
                        f"{text} in cell {cell_id} is neither a BIP test vector nor a course dummy"
                    )
    assert len(seen) >= 40, f"only {len(seen)} addresses found: did the cells change?"
