"""The one exception of the package."""


class CourseworkError(Exception):
    """A problem the instructor or chapter author must fix; the message says how."""
