"""Finding controls inside a built widget app, for the headless widget tests of every module."""


def find_widgets(app, kind, description=None) -> list:
    """All descendants of ``app`` of type ``kind`` (optionally with a given description)."""
    found, stack = [], [app]
    while stack:
        node = stack.pop()
        if isinstance(node, kind) and (description is None or node.description == description):
            found.append(node)
        stack.extend(getattr(node, "children", ()))
    return found


def one_widget(app, kind, description=None):
    """The single descendant of ``app`` of type ``kind`` (and description); fails if there are none or several."""
    (node,) = find_widgets(app, kind, description)
    return node
