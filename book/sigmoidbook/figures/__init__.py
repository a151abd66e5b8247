"""Interactive figures (being moved here from sigmoidbook.interactive)."""
