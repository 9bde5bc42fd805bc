"""The contract every layer speaks: the mention model, the error tree, the clock and the query language.

A leaf package: it imports only the standard library, so ``connectors``, ``storage``, ``analysis`` and
``alerts`` may import it (and nothing else of ``listener``) without pulling in the application.
"""
