"""nbgrader for a trainee on the course hub: which course to fetch from and where the exchange is."""

import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "spmu-police-training"
c.Exchange.root = os.environ.get("SPMU_EXCHANGE", "/srv/spmu/exchange")
