"""The web API: FastAPI under uvicorn, routers by resource, pydantic schemas at the edge.

Import :func:`listener.web.app.create_app` to build the application; this package stays light so
that reading the config (which imports :mod:`listener.web.settings`) never loads FastAPI.
"""

from __future__ import annotations
