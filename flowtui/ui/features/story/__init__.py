"""The story of a record and the conversation of two addresses, on screens of their own."""
