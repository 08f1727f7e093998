"""Pure domain layer: dataclasses, enums and rules. No I/O, no ORM, no Matrix."""
