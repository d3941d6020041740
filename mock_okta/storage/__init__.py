"""The org's SQLite storage: schema migrations, ids, cursor paging, filter expressions as SQL."""
