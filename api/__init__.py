"""Top of the domain: the public API's URL table and schema hooks, and the use cases that
compose the apps below (a journal write that re-assesses; registration, erasure, export)."""
