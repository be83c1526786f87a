"""The app's screens: the main screen and its modal dialogs, one per module."""
