"""What the main screen is built of: the record table, its columns and status, the detail
panel, the prompt bar, the histogram strip, the top-N pane, the browser pane, dialogs and the
name cells. A widget here draws and posts messages; it imports nothing from ``features`` or
from the screen, so it can be tested and reused without the app."""
