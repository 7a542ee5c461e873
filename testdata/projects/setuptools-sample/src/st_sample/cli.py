def main():
    print("st-sample")
