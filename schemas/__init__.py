"""What a valid annual site return is (format v1): tables, columns, rules."""
