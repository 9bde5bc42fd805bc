"""listener: self-hosted social listening and e-reputation.

Kept import-light: importing ``listener.core.model`` never loads SQLAlchemy, httpx or transformers.
"""

__version__ = "0.1.0"
