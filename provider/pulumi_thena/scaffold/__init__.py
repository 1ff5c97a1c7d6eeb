"""A new repository of one's own: the files ``thena-workflows init`` writes, and the template.

    render_scaffold(options, adopted)   every file of a new repository, rendered, not written
    write_scaffold(root, files)         write them; PathExistsError first if any path exists
    template_files()                    the same scaffold as a ``pulumi new`` template directory

The templates are package data (``files/*.j2``), so an installed pulumi-thena writes the
repository of its own version: ``requirements.txt`` pins it.
"""

from pulumi_thena.scaffold.render import (
    DEFAULT_ENVS,
    LOCAL_ENCRYPTION_SALT,
    STARTER_FILE,
    STARTER_TEST_FILE,
    ScaffoldError,
    ScaffoldFile,
    ScaffoldOptions,
    installed_version,
    parse_envs,
    render_scaffold,
)
from pulumi_thena.scaffold.template import TEMPLATE_DIR, template_files
from pulumi_thena.scaffold.write import PathExistsError, first_existing, write_scaffold

__all__ = [
    "DEFAULT_ENVS",
    "LOCAL_ENCRYPTION_SALT",
    "STARTER_FILE",
    "STARTER_TEST_FILE",
    "TEMPLATE_DIR",
    "PathExistsError",
    "ScaffoldError",
    "ScaffoldFile",
    "ScaffoldOptions",
    "first_existing",
    "installed_version",
    "parse_envs",
    "render_scaffold",
    "template_files",
    "write_scaffold",
]
