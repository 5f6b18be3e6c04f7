print("cgi-server")
