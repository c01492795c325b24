"""Channel kinds. Importing this package registers every transport."""
