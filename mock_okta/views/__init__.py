"""The web layer: HTTP in, one domain call, the vendor's representation out."""
