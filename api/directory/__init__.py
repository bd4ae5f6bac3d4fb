"""The services directory: OpenStreetMap places and the associations' curated services, in the database."""
