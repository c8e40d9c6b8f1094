from provenance_cli.cli.app import main

main()
