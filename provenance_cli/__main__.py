from provenance_cli.cli import main

main()
