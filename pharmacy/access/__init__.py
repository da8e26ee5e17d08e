"""Access to chats: server-issued chat secrets, login tokens, identity lockout, message limits.

Rasa-free: the chat channels (``rasa_channels``), the web chat server and the actions use it."""
