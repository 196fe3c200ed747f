"""The query page (``/``): ``kg/web/query/index.html`` rendered in the site's own frame (``base.html``).

The header, navigation and footer come from the site's templates (:func:`kg.resources.templates_dir`,
so ``KG_TEMPLATES_DIR`` applies to this page too); the query page's template only fills the blocks.
"""

from __future__ import annotations

from kg import resources

TEMPLATE = "index.html"


def query_page_exists() -> bool:
    return resources.web_dir("query", TEMPLATE).is_file()


def render_query_page(base_url: str | None = None) -> str:
    """The query page as the server sends it; ``base_url`` (``--base-url``) is where its shared links point."""
    import jinja2

    from kg.web.site import environment

    env = environment()
    env.loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(str(resources.web_dir("query"))),
            jinja2.FileSystemLoader(str(resources.templates_dir())),
        ]
    )
    return env.get_template(TEMPLATE).render(root="", server=True, nav="query", base_url=base_url)
