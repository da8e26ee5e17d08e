"""The web server of the shopper's chat page (static files live in web/)."""
