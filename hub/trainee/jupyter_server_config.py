"""A trainee's server on the course hub (JUPYTER_CONFIG_PATH points here): JupyterLab on their home folder with
the nbgrader Assignments panel and Validate, nothing of the instructor's tools, no terminal."""

c = get_config()  # noqa: F821

c.ServerApp.terminals_enabled = False  # the course needs no shell; every file operation goes through Lab
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
# hidden files (~/.local, ~/.cache with nbgrader's submission cache) stay out of the file browser
c.ContentsManager.allow_hidden = False
