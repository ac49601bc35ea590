"""The chat model: the LangChain client, the embedded llama.cpp server and its GGUF assembly."""
