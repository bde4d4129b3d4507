module github.com/tribune-go/tribune

go 1.26
