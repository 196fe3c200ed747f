"""Named errors of the library. The CLI turns each into one sentence and an exit status."""


class KGError(Exception):
    """Base class: a problem the user can fix, described in one sentence."""


class StoreError(KGError):
    """The store could not be opened, read or written."""


def damaged_store(location: str, exc: Exception) -> StoreError:
    """The one sentence for a database that RocksDB cannot open (damaged files, or another program's)."""
    detail = " ".join(str(exc).split())
    return StoreError(f"the store at {location} is damaged or is not a kg store (the database says: {detail[:300]})")


class SourceError(KGError):
    """An input file or address could not be read as a document."""

    def __init__(self, location: str, reason: str):
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason

    def __reduce__(self):  # sent between processes by the ingest workers
        return (type(self), (self.location, self.reason))


class QueryError(KGError):
    """A SPARQL query is malformed or failed."""


class VocabularyError(KGError):
    """A vocabulary or ontology file is missing or is not valid Turtle."""


class UsageError(KGError):
    """An option or argument value is not acceptable."""
