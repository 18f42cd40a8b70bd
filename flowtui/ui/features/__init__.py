"""What the user does with the main screen: load, tail, sort, filter, go to, export, tell a
story, name addresses, browse to a path, apply settings. A feature stands above the screen:
it composes widgets and starts background jobs, and handles the messages its own work posts."""
