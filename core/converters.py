class BoundedIntConverter:
    """Like Django's ``int`` converter, but at most nine digits.

    Django's own accepts any length, and a 30-digit id reaching a query makes
    SQLite raise OverflowError (a 500) instead of a 404.
    """

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
