"""The command line: everything that knows typer, rich and argv."""
