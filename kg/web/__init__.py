"""Publishing: the read model of the map and the pages, the offline site, and the HTTP server."""
