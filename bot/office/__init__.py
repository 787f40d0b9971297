"""The office files the bot writes and reads: DOCX plans, CSV/XLSX sheets, the report chart."""
