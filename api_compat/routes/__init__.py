"""The API's routes, one router per concern; main.create_app includes them all."""
