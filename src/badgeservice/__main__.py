from badgeservice.cli import main

main()
