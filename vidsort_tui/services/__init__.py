"""Services: what the interfaces call to run the pipeline (retrain orchestration).

Above the pipeline and the core, below the interfaces (see ARCHITECTURE.md).
"""
