"""Write paths of the audits app, one module per concept; each state change is one
function, atomic, with its actor and a history reason naming the clause."""

from audits.services.catalogue import CatalogueConflict, LoadResult, load_catalogue

__all__ = ["CatalogueConflict", "LoadResult", "load_catalogue"]
