from deploy.ask_project import main

main()
