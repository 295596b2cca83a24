"""`python -m factdeck`: the same command line as the `factdeck` script."""

from factdeck.cli.main import main

if __name__ == "__main__":
    main(prog_name="factdeck")
