"""Who is calling: SSWS API tokens, browser sessions (`sid`) and the end-user sign-in."""
