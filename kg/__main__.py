"""``python -m kg``: the same app as the ``kg`` console script."""

from kg.cli import app

if __name__ == "__main__":
    app(prog_name="kg")
