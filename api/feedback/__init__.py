"""Anonymous feedback on the assistant's answers, counted without anything about the person."""
