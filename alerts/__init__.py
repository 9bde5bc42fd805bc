"""alerts layer of listener (see ../shared/STYLE.md §1)."""
