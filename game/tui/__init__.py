"""The Textual front end. It renders a Session and sends it the player's choices; no rules live here."""
