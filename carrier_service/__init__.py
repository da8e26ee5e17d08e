"""A fake "RapidParcel" tracking API for development and tests, driven by the demo data.

Run it with ``python -m carrier_service.server --port 8090``. It is not part of production: the
assistant talks to it through ``pharmacy.carrier`` exactly as it would to the real carrier.
"""
