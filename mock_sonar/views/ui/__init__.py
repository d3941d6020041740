"""The browser pages, server-rendered with the web app's texts: login, navigation, My Account
and the Administration pages. `frame` guards and renders signed-in pages, `browser` holds the
cookies and error pages, `webapp` the checks the real web app makes before calling the API."""
