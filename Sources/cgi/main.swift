print("cgi")
