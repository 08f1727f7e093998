from scripts.devstack.cli import main

raise SystemExit(main())
