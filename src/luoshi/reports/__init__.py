"""Reports in the official formats, written from the records: the 整改落实情况报告, the 进展通报,
each member's 个人整改清单 and the ledger .xlsx; .docx in the GB/T 9704 layout, PDF through LibreOffice."""
