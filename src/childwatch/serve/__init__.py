"""The web edge: review pages and the REST API (FastAPI), served by `childwatch serve`.

    from childwatch.serve import create_app
    app = create_app("reports.sqlite")   # an ASGI app: uvicorn, TestClient, ...

Modules: `app` (factory, error translation), `security` (sessions, CSRF, headers),
`deps` (current user, roles, filters), `pages` and `forms` (HTML), `api` (JSON under
/api/), `charts`, `geo` and `highlight` (view models), `mapbuild` (the offline map's
outlines, built at setup time), `server` (binding and running uvicorn).
"""

from childwatch.serve.app import create_app
from childwatch.serve.server import serve

__all__ = ["create_app", "serve"]
