"""An instructor's server on the course hub (JUPYTER_CONFIG_PATH points here): the course folder with the
formgrader.

The formgrader shows its pages in an iframe of JupyterLab. JupyterHub >= 4.1 gives every single-user server the
header ``Content-Security-Policy: frame-ancestors 'none'`` unless the server sets its own (nbgrader#1870), so the
iframe stays blank. This server sets ``frame-ancestors 'self'``: its pages may be framed by pages of the same
origin only, which is how JupyterLab frames the formgrader. Why this is safe here: it is set on instructors'
servers only (trainees keep JupyterHub's 'none'); a page that could frame it must come from the hub's own origin,
and on this hub no trainee content is served to an instructor's browser from that origin (the admin role has no
access to trainees' servers, and the formgrader shows submissions through the grader's sanitised view).
"""

c = get_config()  # noqa: F821

c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
