"""Pictures and documents: figures, charts and PDFs, rendered off the event loop."""
