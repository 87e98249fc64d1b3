from erp_engine.cli import main

main()
